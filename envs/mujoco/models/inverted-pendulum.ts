/**
 * InvertedPendulum MJCF, written for pgvar from the fact sheet (spec mujoco-models.md §6). Degrees by
 * default; no floor; contype 0 everywhere, so no contacts; the pole leans 0.001 toward +x.
 */
export const INVERTED_PENDULUM_XML = `<mujoco model="inverted pendulum">
  <compiler inertiafromgeom="true"/>
  <option gravity="0 0 -9.81" integrator="RK4" timestep="0.02"/>
  <default>
    <joint armature="0" damping="1" limited="true"/>
    <geom contype="0" friction="1 0.1 0.1"/>
    <motor ctrlrange="-3 3"/>
  </default>
  <worldbody>
    <geom name="rail" type="capsule" pos="0 0 0" quat="0.707 0 0.707 0" size="0.02 1"/>
    <body name="cart" pos="0 0 0">
      <joint name="slider" type="slide" axis="1 0 0" pos="0 0 0" range="-1 1"/>
      <geom name="cart" type="capsule" pos="0 0 0" quat="0.707 0 0.707 0" size="0.1 0.1"/>
      <body name="pole" pos="0 0 0">
        <joint name="hinge" type="hinge" axis="0 1 0" pos="0 0 0" range="-90 90"/>
        <geom name="cpole" type="capsule" fromto="0 0 0 0.001 0 0.6" size="0.049 0.3"/>
      </body>
    </body>
  </worldbody>
  <actuator>
    <motor name="slide" joint="slider" gear="100" ctrllimited="true" ctrlrange="-3 3"/>
  </actuator>
</mujoco>
`;
