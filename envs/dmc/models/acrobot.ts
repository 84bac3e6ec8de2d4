/**
 * DMC acrobot MJCF, written for pgvar from the fact sheet (spec dmc.md §6.8): RK4 at 0.01 s with all
 * constraints disabled; two 1 kg capsule links hinged about +y, only the elbow actuated (gear 2);
 * the target site sits at the fully upright tip position (0, 0, 4).
 */
export const DMC_ACROBOT_XML = `<mujoco model="acrobot">
  <option timestep="0.01" integrator="RK4">
    <flag constraint="disable" energy="enable"/>
  </option>
  <default>
    <joint damping="0.05"/>
    <geom type="capsule" mass="1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" size="3 3 0.2" pos="0 0 -0.5"/>
    <site name="target" type="sphere" pos="0 0 4" size="0.2"/>
    <body name="upper_arm" pos="0 0 2">
      <joint name="shoulder" type="hinge" axis="0 1 0"/>
      <geom name="upper_arm_decoration" type="cylinder" fromto="0 -0.06 0 0 0.06 0" size="0.051" mass="0"/>
      <geom name="upper_arm" fromto="0 0 0 0 0 1" size="0.05"/>
      <body name="lower_arm" pos="0 0 1">
        <joint name="elbow" type="hinge" axis="0 1 0"/>
        <geom name="lower_arm" fromto="0 0 0 0 0 1" size="0.049"/>
        <site name="tip" pos="0 0 1" size="0.01"/>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="elbow" joint="elbow" gear="2" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>
`;
