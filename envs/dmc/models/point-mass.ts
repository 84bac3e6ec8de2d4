/**
 * DMC point-mass MJCF, written for pgvar from the fact sheet (spec dmc.md §6.7): Euler at 0.02 s,
 * contacts disabled; a 0.3 kg sphere on two limited slides, actuated through two fixed tendons
 * (identity coefficients in the easy task); the target is a world sphere at the origin.
 */
export const DMC_POINT_MASS_XML = `<mujoco model="planar point mass">
  <option timestep="0.02">
    <flag contact="disable"/>
  </option>
  <default>
    <joint type="hinge" axis="0 0 1" limited="true" range="-0.29 0.29" damping="1"/>
    <motor gear="0.1" ctrlrange="-1 1" ctrllimited="true"/>
  </default>
  <worldbody>
    <geom name="ground" type="plane" pos="0 0 0" size="0.3 0.3 0.1"/>
    <body name="pointmass" pos="0 0 0.01">
      <joint name="root_x" type="slide" pos="0 0 0" axis="1 0 0"/>
      <joint name="root_y" type="slide" pos="0 0 0" axis="0 1 0"/>
      <geom name="pointmass" type="sphere" size="0.01" mass="0.3"/>
    </body>
    <geom name="target" type="sphere" pos="0 0 0.01" size="0.015" contype="0" conaffinity="0"/>
  </worldbody>
  <tendon>
    <fixed name="t1">
      <joint joint="root_x" coef="1"/>
      <joint joint="root_y" coef="0"/>
    </fixed>
    <fixed name="t2">
      <joint joint="root_x" coef="0"/>
      <joint joint="root_y" coef="1"/>
    </fixed>
  </tendon>
  <actuator>
    <motor name="t1" tendon="t1"/>
    <motor name="t2" tendon="t2"/>
  </actuator>
</mujoco>
`;
